require ["duplicate","fileinto"];
if duplicate :header "message-id" { fileinto "dup"; } else { fileinto "first"; }
