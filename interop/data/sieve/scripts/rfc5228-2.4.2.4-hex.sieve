require ["encoded-character","fileinto"];
if header :contains "subject" "${hex:71 75 61 72 74 65 72 6c 79}" { fileinto "${hex:48 69}"; }
