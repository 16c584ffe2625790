require ["relational","comparator-i;ascii-numeric","fileinto"];
if header :count "eq" :comparator "i;ascii-numeric" "received" "2" { fileinto "two-hops"; }
