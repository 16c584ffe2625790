require ["envelope","fileinto"];
if envelope :matches "from" "*@example.com" { fileinto "env-m"; }
