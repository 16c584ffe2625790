require "vacation";
vacation :subject "Out of office" :from "rita@example.org" :handle "ooo-2024" "I am out.";
