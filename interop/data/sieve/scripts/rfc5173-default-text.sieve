require ["body","fileinto"];
if body :contains "MISSILE" { fileinto "default"; }
