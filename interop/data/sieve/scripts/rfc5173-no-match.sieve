require ["body","fileinto"];
if body :text :contains "nonexistentword" { fileinto "x"; }
