require ["body","fileinto"];
if body :content "" :matches "*" { fileinto "any"; }
