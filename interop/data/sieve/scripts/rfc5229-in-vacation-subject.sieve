require ["variables","vacation"];
if header :matches "subject" "*" { set "subjwas" ": ${1}"; }
vacation :days 2 :subject "Automatic response to${subjwas}" "I'm away";
