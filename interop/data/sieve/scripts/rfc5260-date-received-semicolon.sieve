require ["date","fileinto","variables"];
if date :zone "+0000" :matches "received" "iso8601" "*" { fileinto "${1}"; }
