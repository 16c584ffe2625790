require ["body","fileinto"];
if body :raw :contains "missile" { fileinto "raw"; }
