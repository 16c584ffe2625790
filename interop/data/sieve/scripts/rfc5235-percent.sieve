require ["spamtestplus", "fileinto", "relational", "comparator-i;ascii-numeric", "variables"];
if spamtest :percent :matches "*" { set "p" "${1}"; }
if spamtest :percent :value "ge" :comparator "i;ascii-numeric" "50" { fileinto "spam-${p}"; } else { fileinto "ham-${p}"; }
