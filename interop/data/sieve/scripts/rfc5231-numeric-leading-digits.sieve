require ["relational","comparator-i;ascii-numeric","fileinto"];
if header :value "eq" :comparator "i;ascii-numeric" "x-priority" "2" { fileinto "two"; }
