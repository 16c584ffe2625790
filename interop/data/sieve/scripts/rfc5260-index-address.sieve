require ["index","fileinto"];
if address :index 2 :is "to" "me@example.com" { fileinto "idx-addr"; }
