require ["editheader","index","fileinto"];
addheader "X-Priority" "1";
if header :index 1 :is "x-priority" "1" { fileinto "first"; }
