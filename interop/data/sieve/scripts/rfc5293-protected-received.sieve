require ["editheader","fileinto"];
addheader "Received" "from evil";
if header :contains "received" "evil" { fileinto "added-received"; } else { fileinto "protected"; }
