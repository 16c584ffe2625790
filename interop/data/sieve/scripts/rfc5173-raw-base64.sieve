require ["body","fileinto"];
if body :raw :contains "JVBERi0xLjQK" { fileinto "raw64"; }
if body :content "application/pdf" :contains "SECRETPDFWORD" { fileinto "decoded"; }
