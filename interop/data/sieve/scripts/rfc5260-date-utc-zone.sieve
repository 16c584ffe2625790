require ["date","fileinto","variables"];
if date :zone "+0000" :matches "date" "hour" "*" { fileinto "h${1}"; }
