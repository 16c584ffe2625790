if anyof (size :over 761, size :under 761) { discard; }
