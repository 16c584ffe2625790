require ["editheader","index","fileinto"];
addheader :last "X-Priority" "5";
if header :index 1 :last :is "x-priority" "5" { fileinto "last"; }
