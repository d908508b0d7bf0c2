build/obj/src/common/term.o: src/common/term.c src/common/term.h
src/common/term.h:
