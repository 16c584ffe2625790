require ["relational","comparator-i;ascii-numeric","fileinto"];
if header :count "eq" :comparator "i;ascii-numeric" "x-missing" "0" { fileinto "zero"; }
