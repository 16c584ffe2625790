require ["editheader","index","relational","comparator-i;ascii-numeric","fileinto"];
deleteheader :index 1 "received";
if header :count "eq" :comparator "i;ascii-numeric" "received" "1" { fileinto "one-left"; }
