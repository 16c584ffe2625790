require ["editheader","fileinto"];
deleteheader :contains "received" "laptop";
if header :contains "received" "laptop" { fileinto "still"; } else { fileinto "gone"; }
