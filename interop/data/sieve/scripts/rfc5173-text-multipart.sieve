require ["body","fileinto"];
if body :text :contains "PLAINWORD" { fileinto "plain"; }
