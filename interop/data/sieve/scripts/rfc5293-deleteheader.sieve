require ["editheader","fileinto"];
deleteheader "X-Priority";
if not exists "x-priority" { fileinto "deleted"; }
