require ["index","fileinto"];
if header :index 1 :last :contains "received" "laptop" { fileinto "last-is-laptop"; }
