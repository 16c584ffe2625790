require "fileinto";
if header :is "subject" "Élève déjà vu café" { fileinto "decoded"; }
