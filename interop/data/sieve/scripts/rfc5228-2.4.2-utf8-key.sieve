require "fileinto";
if header :contains "subject" "café" { fileinto "Café"; }
