require ["date","relational","comparator-i;ascii-numeric","fileinto"];
if currentdate :value "le" :comparator "i;ascii-numeric" "weekday" "6" { fileinto "weekday-ok"; }
