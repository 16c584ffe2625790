require ["date","fileinto"];
if date :matches "x-missing" "year" "*" { fileinto "x"; } else { fileinto "nodate"; }
