require ["envelope", "subaddress", "fileinto"];
if envelope :user "to" "ken" { fileinto "inbox.ken"; }
