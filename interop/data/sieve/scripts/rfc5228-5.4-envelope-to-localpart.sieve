require ["envelope","fileinto"];
if envelope :localpart :is "to" "recipient" { fileinto "env-lp"; }
