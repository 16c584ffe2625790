require ["relational","fileinto"];
if header :value "eq" "subject" "QUARTERLY REPORT: MAKE MONEY FAST" { fileinto "eq-casemap"; }
