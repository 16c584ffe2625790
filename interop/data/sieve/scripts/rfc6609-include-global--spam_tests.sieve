require "fileinto";
if header :contains "subject" "money" { fileinto "Junk"; }
