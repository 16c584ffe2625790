require ["duplicate","variables","fileinto"];
if header :matches "subject" "*" { if duplicate :uniqueid "${1}" :seconds 3600 :last { fileinto "dup"; } }
