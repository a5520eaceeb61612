set pagination off
set confirm off
echo ==break\n
break add_step
continue
bt
print counter
print/x $pc == (unsigned)add_step
echo ==step\n
delete
next
next
info registers pc
echo ==watch\n
watch watched
continue
delete
echo ==irq\n
break tick_work
continue
bt
delete
echo ==stepout\n
finish
finish
p/x $xpsr & 0x1ff
echo ==regs\n
info registers msp psp primask control
p $d0
echo ==monitor\n
monitor time
monitor help
echo ==finish\n
continue
