require ["editheader","fileinto"];
deleteheader "auto-submitted";
if exists "auto-submitted" { fileinto "protected"; } else { fileinto "deleted"; }
