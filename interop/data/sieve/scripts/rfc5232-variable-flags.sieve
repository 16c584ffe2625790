require ["imap4flags","variables"];
setflag "fl" "\\Answered";
addflag "fl" "\\Draft";
removeflag "fl" "\\Answered";
if hasflag "fl" "\\Draft" { keep :flags "${fl}"; }
