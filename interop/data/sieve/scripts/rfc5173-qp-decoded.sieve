require ["body","fileinto"];
if body :text :contains "café crème" { fileinto "qp"; }
