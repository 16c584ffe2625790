require ["index","fileinto"];
if header :index 1 :contains "received" "laptop" { fileinto "wrong"; } else { fileinto "first-is-mx"; }
