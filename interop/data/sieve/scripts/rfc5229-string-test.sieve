require ["variables","fileinto","relational","comparator-i;ascii-numeric"];
set "x" "";
if string :is "${x}" "" { fileinto "empty"; }
if string :count "eq" :comparator "i;ascii-numeric" ["${x}", "b"] "1" { fileinto "count1"; }
