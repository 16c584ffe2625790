require ["variables","fileinto"];
if header :matches "subject" "Quarterly*" { set "a" "${1}"; }
if header :matches "subject" "nomatch*" { }
fileinto "${1}|${a}";
