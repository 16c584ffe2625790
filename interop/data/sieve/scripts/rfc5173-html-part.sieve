require ["body","fileinto"];
if body :content "text/html" :contains "HTMLWORD" { fileinto "html"; }
if body :content "text/plain" :contains "HTMLWORD" { fileinto "wrong"; }
