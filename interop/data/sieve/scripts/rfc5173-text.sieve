require ["body","fileinto"];
if body :text :contains "missile" { fileinto "text"; }
