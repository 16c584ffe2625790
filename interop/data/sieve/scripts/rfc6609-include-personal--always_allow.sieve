require "fileinto";
if address :is "from" "sender@example.com" { fileinto "allowed"; }
