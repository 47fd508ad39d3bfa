# ORSI-4199 in its official layout under data/ORSI-4199
# (see README "Datasets").
_base_ = './sod_sral.py'
data_root = 'data/ORSI-4199'
train_dataloader = dict(
    dataset=dict(data_root=data_root, layout='orsi4199', split='train'))
val_dataloader = dict(
    dataset=dict(data_root=data_root, layout='orsi4199', split='test'))
test_dataloader = val_dataloader
