require ["date","index","fileinto","variables"];
if date :index 2 :zone "+0000" :matches "received" "time" "*" { fileinto "second-${1}"; }
