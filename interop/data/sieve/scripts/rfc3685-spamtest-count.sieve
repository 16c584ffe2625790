require ["spamtest","relational","comparator-i;ascii-numeric","fileinto"];
if spamtest :count "eq" :comparator "i;ascii-numeric" "1" { fileinto "counted"; }
