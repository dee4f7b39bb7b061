from myframework import make

app = make()
