require ["variables","fileinto"];
if header :matches "subject" "*" { }
if header :contains "subject" "report" { fileinto "x${1}"; }
