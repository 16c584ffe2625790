require ["envelope","fileinto"];
if envelope :is "from" "SENDER@EXAMPLE.COM" { fileinto "env-case"; }
