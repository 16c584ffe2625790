require ["editheader","fileinto"];
addheader "X-Source" "sieve";
if header :is "x-source" "sieve" { fileinto "added"; }
