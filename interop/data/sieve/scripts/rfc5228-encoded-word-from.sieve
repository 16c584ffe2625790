require "fileinto";
if header :contains "from" "José" { fileinto "jose"; }
