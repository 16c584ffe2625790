require ["imap4flags", "fileinto", "variables"];
if size :over 1K {
    addflag "MyFlags" "Big";
    if header :is "From" "boss@company.example.com" {
        addflag "MyFlags" "\\Flagged";
    }
    if header :contains "From" "boss@company.example.com" {
        addflag "MyFlags" "\\Flagged";
    }
    fileinto :flags "${MyFlags}" "Big messages";
} else {
    fileinto "Small";
}
