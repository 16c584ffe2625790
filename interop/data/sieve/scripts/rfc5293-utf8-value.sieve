require ["editheader","fileinto"];
addheader "X-Note" "café";
if header :is "x-note" "café" { fileinto "utf8"; }
